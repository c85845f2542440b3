SELECT count(*) = 2 AND min(slug) = 'a' AND max(length(body)) = 5000 FROM public.docs
