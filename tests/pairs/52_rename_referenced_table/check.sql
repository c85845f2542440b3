SELECT count(*) = 1 FROM public.items i JOIN public.people p ON p.id = i.owner_id
