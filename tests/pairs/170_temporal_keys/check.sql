SELECT (SELECT count(*) FROM public.rooms) = 2 AND (SELECT count(*) FROM public.bookings) = 1
