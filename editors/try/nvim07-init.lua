-- Neovim 0.7 (Debian 12): filetype, commentstring, and pipec lsp through the
-- 0.7 API (vim.lsp.start_client; 0.11+ has vim.lsp.config, see docs/editors.md).
vim.g.do_filetype_lua = 1
vim.filetype.add({ extension = { pipe = "pipe" } })
vim.api.nvim_create_autocmd("FileType", {
  pattern = "pipe",
  callback = function(args)
    vim.bo[args.buf].commentstring = "// %s"
    local id = vim.lsp.start_client({ name = "pipec", cmd = { os.getenv("PIPEC"), "lsp" }, root_dir = vim.fn.getcwd() })
    vim.lsp.buf_attach_client(args.buf, id)
  end,
})
