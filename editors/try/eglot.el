;; Emacs 28 + eglot (Debian's elpa-eglot): a pipe-mode, pipec lsp, diagnostics.
(require 'package)
(package-initialize)
(require 'eglot)
(defvar pipe-font-lock-keywords
  `((,(regexp-opt '("pipeline" "step" "template" "import" "param" "image" "run" "args" "script"
                    "output" "after" "for" "in" "when" "uses" "retry" "memoize" "env" "label"
                    "volume" "mount" "timeout" "schedule" "on" "exit" "failure") 'symbols)
     . font-lock-keyword-face)
    ("\\_<\\(?:step\\|pipeline\\|template\\)\\s-+\\(\\(?:\\sw\\|\\s_\\)+\\)" 1 font-lock-function-name-face)
    ("\\${[^}\n]*}" 0 font-lock-variable-name-face t)
    ("\\_<[0-9]+\\(?:ms\\|[smhd]\\)?\\_>" . font-lock-constant-face)))
(define-derived-mode pipe-mode prog-mode "Pipe"
  "Major mode for pipec's .pipe files."
  (setq-local font-lock-defaults '(pipe-font-lock-keywords))
  (setq-local comment-start "// ")
  (setq-local comment-start-skip "//+\\s-*")
  (modify-syntax-entry ?/ ". 12" pipe-mode-syntax-table)
  (modify-syntax-entry ?\n ">" pipe-mode-syntax-table)
  (modify-syntax-entry ?_ "_" pipe-mode-syntax-table)
  (modify-syntax-entry ?- "_" pipe-mode-syntax-table))
(add-to-list 'auto-mode-alist '("\\.pipe\\'" . pipe-mode))
(add-to-list 'eglot-server-programs `(pipe-mode ,(getenv "PIPEC") "lsp"))
(find-file "hello.pipe")
(apply #'eglot (eglot--guess-contact))
(let ((deadline (+ (float-time) 20)))
  (while (and (< (float-time) deadline) (null (flymake-diagnostics)))
    (accept-process-output nil 0.2)))
(princ (format "mode=%s comment-start=%S server=%S\n" major-mode comment-start
               (and (eglot-current-server) (plist-get (eglot--server-info (eglot-current-server)) :name))))
(dolist (d (flymake-diagnostics))
  (princ (format "diag line %d: %s\n" (line-number-at-pos (flymake-diagnostic-beg d))
                 (car (split-string (flymake-diagnostic-text d) "\n")))))
(kill-emacs 0)
