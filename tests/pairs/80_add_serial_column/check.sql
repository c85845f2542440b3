SELECT count(DISTINCT n) = 2 AND min(n) = 1 FROM public.items
