SELECT embedding IS NULL FROM public.chunks WHERE id = 1
