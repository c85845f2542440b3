SELECT count(*) = 1 AND min(v) = 'kept' FROM public.cache
