INSERT INTO public.items VALUES (1, 5);
