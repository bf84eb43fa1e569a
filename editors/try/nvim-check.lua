vim.wait(8000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local out = { "filetype=" .. vim.bo.filetype, "commentstring=" .. vim.bo.commentstring }
for _, c in pairs(vim.lsp.get_active_clients()) do
  table.insert(out, "client=" .. c.name .. " encoding=" .. tostring(c.offset_encoding))
end
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, string.format("diag %d:%d %s", d.lnum + 1, d.col + 1, (d.message:gsub("\n.*", ""))))
end
vim.fn.writefile(out, "nvim-result.txt")
vim.cmd("qa!")
