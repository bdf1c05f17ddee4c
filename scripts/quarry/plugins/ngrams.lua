-- ngrams: the most frequent n-grams of the subcorpus (idx:ngrams), as the
-- frequency list does for words; with stop words, n-grams that start or
-- end with one are dropped.
local freq = require "quarry.plugins.freq"

local options = { { name = "n", type = "integer", default = 2, help = "n, from 2 to 5" } }
for _, o in ipairs(freq.OPTIONS) do options[#options + 1] = o end

return {
  api = 1,
  name = "ngrams",
  kind = "analysis",
  description = "n-grams: the most frequent sequences of 2 to 5 words",
  options = options,
  run = function(ctx, opts)
    if opts.n < 2 or opts.n > 5 then
      require("quarry.plugins").fail("option 'n' must be from 2 to 5, got %d", opts.n)
    end
    return freq.run_list(ctx, opts, true)
  end,
}
