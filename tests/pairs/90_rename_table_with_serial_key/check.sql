WITH n AS (INSERT INTO public.products (name) VALUES ('c') RETURNING id)
SELECT id = 3 AND to_regclass('public.products_id_seq') IS NOT NULL FROM n
