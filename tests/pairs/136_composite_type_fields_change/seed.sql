INSERT INTO public.customers VALUES (1, ROW('Main St', 'Springfield', 12345));
