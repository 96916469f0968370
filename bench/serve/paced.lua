-- wrk script: each connection waits 1 ms between requests
-- (Debian has wrk, not wrk2; this is its paced mode; wrk's timer granularity makes one connection
-- about 500/s, so -c 20 offers about 10,000/s). Headers come from -H as usual.
function delay()
  return 1
end
