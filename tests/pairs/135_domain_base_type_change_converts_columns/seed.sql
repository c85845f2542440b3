INSERT INTO public.products VALUES (1, 'A-1');
