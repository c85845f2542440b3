SELECT (home).city = 'Springfield' FROM public.customers
