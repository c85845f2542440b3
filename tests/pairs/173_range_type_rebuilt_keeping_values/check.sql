SELECT count(*) = 2 AND bool_or(span::text = '[1.5,2.5)') FROM public.slots
