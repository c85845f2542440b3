SELECT v + 1 = 2147483648 FROM public.items WHERE id = 1
