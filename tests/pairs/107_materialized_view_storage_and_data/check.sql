SELECT count(*) = 2 FROM public.tenant_centroids
