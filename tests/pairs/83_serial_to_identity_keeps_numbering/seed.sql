INSERT INTO public.orders (total) VALUES (1), (2), (3), (4), (5);
DELETE FROM public.orders WHERE id = 5;
