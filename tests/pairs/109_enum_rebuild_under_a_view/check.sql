SELECT count(*) = 1 FROM public.published_posts
