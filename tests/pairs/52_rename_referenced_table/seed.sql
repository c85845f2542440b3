INSERT INTO public.owners (id) VALUES (1); INSERT INTO public.items (id, owner_id) VALUES (1, 1);
