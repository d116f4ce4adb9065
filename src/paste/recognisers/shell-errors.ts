// What the shell and coreutils said when something was not there ("ls: cannot access
// '/sys/kernel/iommu_groups/*': No such file or directory"): absence stated by the host itself.
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const SHELL_LINES: ToolPatterns = {
  tool: 'shell',
  lines: [/^(?:-?bash|sh|zsh|ls|cat|find|readlink|grep|head|tail|sudo|lspci|stat|tee|echo)(?:: line \d+)?: .*(?:No such file or directory|cannot access|command not found|Permission denied|Operation not permitted|Invalid argument|No such device|Device or resource busy)/],
};

export const shellErrors = toolRecogniser('shell-errors', 'shell errors (missing files, permissions)', null, SHELL_LINES);
