SELECT sku = 'A-1' FROM public.products
