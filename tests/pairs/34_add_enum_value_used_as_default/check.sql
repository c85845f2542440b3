SELECT count(*) = 1 FROM public.items WHERE status = 'draft'
