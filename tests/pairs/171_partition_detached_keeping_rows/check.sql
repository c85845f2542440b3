SELECT (SELECT count(*) FROM public.events_2025) = 1 AND (SELECT count(*) FROM public.events_2026) = 1
