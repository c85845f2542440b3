WITH n AS (INSERT INTO public.orders (total) VALUES (6) RETURNING id) SELECT id = 6 FROM n
