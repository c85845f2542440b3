SELECT (SELECT count(*) FROM public.title_lengths) = 2 AND (SELECT titles FROM public.tenant_titles) IS NOT NULL
