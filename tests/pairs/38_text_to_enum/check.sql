SELECT status = 'published'::public.status FROM public.items
