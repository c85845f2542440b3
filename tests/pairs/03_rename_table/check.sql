SELECT count(*) = 1 AND min(name) = 'kept' FROM public.products
