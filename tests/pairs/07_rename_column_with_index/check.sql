SELECT name = 'kept' FROM public.items WHERE id = 1
