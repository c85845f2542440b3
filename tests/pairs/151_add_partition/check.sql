SELECT count(*) = 1 AND min(kind) = 'kept' FROM public.events_2026
