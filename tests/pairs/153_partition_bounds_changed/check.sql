SELECT count(*) = 2 FROM public.events_2026
