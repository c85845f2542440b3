SELECT count(*) = 1 AND min(tokens) = 10 AND min(label) = 'a' FROM public.chunks
