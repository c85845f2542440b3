SELECT array_agg(status::text ORDER BY status) = '{archived,draft,published}'::text[] OR array_agg(status::text ORDER BY status) = '{draft,published}'::text[] FROM public.items
