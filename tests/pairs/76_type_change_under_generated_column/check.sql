SELECT title_tsv = to_tsvector('simple', 'hello') FROM public.docs
