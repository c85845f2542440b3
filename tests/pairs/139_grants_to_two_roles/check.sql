SELECT count(*) = 1 FROM public.documents
