SELECT qty = 5 FROM public.items
