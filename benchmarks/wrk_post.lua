-- wrk script of benchmarks/http.py: POSTs the JSON body in $WRK_BODY_FILE to the URL, counts
-- the answers that are not a ConversationUpdated, and prints one summary line
-- (`WRK_SUMMARY {...}`) that benchmarks/http.py reads.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
wrk.body = file:read("*a")
file:close()

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrong = 0
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"ConversationUpdated"', 1, true) then
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  local wrong_answers = 0
  for _, thread in ipairs(threads) do
    wrong_answers = wrong_answers + thread:get("wrong")
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_SUMMARY {"requests": %d, "duration_us": %d, "wrong": %d, "errors": %d}\n',
    summary.requests, summary.duration, wrong_answers,
    errors.connect + errors.read + errors.write + errors.timeout))
end
