SELECT count(*) = 2 AND bool_and(history::text[] <@ '{draft,archived}') FROM public.entries
