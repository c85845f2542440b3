SELECT count(*) = 2 AND sum(n) = 3 FROM public.tenant_centroids
