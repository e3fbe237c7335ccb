-- wrk script for the bench; builds the same requests as scripts/bench/workload.ts.
-- Arguments (after --): kind max_id limit id_base amount model color [header: value ...]
-- kind is get-id, list, put, post or mixed; amount > 0 stops after that many responses.
-- done() prints one line: BENCH_RESULT {json}. wrk's main thread sleeps for the whole -d, so on
-- reaching the amount the thread stops and prints BENCH_AMOUNT_REACHED; the caller then sends
-- SIGINT, which ends wrk's sleep and runs done() as usual.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  kind = args[1]
  max_id = tonumber(args[2])
  limit = tonumber(args[3])
  local id_base = tonumber(args[4])
  amount = tonumber(args[5])
  model = args[6]
  color = args[7]
  headers = {}
  json_headers = { ["Content-Type"] = "application/json" }
  for i = 8, #args do
    local name, value = string.match(args[i], "^([^:]+):%s*(.*)$")
    headers[name] = value
    json_headers[name] = value
  end
  -- Threads count POST ids in disjoint ranges of 10^8.
  next_id = id_base + tid * 100000000
  math.randomseed(os.time() * 1000 + tid)
  list_request = wrk.format("GET", "/cars?limit=" .. limit, headers)
  seen = 0
  if amount > 0 then
    response = function(status, hdrs, body)
      seen = seen + 1
      if seen == amount then
        io.write("BENCH_AMOUNT_REACHED\n")
        io.flush()
        wrk.thread:stop()
      end
    end
  end
end

local function write_body(id)
  return string.format('{"id":%.0f,"model":"%s","color":"%s"}', id, model, color)
end

local function get_id()
  return wrk.format("GET", "/cars/" .. math.random(1, max_id), headers)
end

local function list()
  return list_request
end

local function put()
  local id = math.random(1, max_id)
  return wrk.format("PUT", "/cars/" .. id, json_headers, write_body(id))
end

local function post()
  next_id = next_id + 1
  return wrk.format("POST", "/cars", json_headers, write_body(next_id))
end

local n = 0
local function mixed()
  local slot = n % 10
  n = n + 1
  if slot < 6 then return get_id() end
  if slot < 8 then return list() end
  if slot == 8 then return put() end
  return post()
end

local by_kind = { ["get-id"] = get_id, list = list, put = put, post = post, mixed = mixed }

function request()
  return by_kind[kind]()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"p50Us":%.0f,"p99Us":%.0f,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
