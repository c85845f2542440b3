INSERT INTO public.items (id, v) VALUES (1, 2147483647);
