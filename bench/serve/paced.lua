-- wrk script: each connection waits 1 ms between requests, so -c 10 offers at most 10,000/s
-- (Debian has wrk, not wrk2; this is its paced mode). Headers come from -H as usual.
function delay()
  return 1
end
