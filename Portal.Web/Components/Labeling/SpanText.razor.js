// Mouse selection and keyboard for the span editor. Offsets come from the segments' data-s attributes; snapping
// to tokens and everything else happens in C# (Portal.Core TokenSnapping).
const handlers = new WeakMap();

function offsetOf(container, node, offset) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const segment = element?.closest('[data-s]');
  if (!segment || !container.contains(segment)) {
    return null;
  }
  if (node.nodeType === Node.TEXT_NODE) {
    return parseInt(segment.dataset.s, 10) + offset;
  }
  // An element boundary: before or after the segment's text.
  return parseInt(segment.dataset.s, 10) + (offset > 0 ? segment.textContent.length : 0);
}

// Keys belong to a field the user types in (skip reason, label search); radio buttons and check boxes are not that.
function isTyping(target) {
  if (!(target instanceof HTMLElement)) {
    return false;
  }
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') {
    return true;
  }
  return target.tagName === 'INPUT' && !['radio', 'checkbox', 'button', 'submit'].includes(target.type);
}

export function attach(container, dotnet) {
  const onMouseUp = () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return;
    }
    const range = selection.getRangeAt(0);
    const start = offsetOf(container, range.startContainer, range.startOffset);
    const end = offsetOf(container, range.endContainer, range.endOffset);
    if (start === null || end === null) {
      return;
    }
    selection.removeAllRanges();
    dotnet.invokeMethodAsync('OnSelect', start, end);
  };

  const onKeyDown = (event) => {
    if (event.altKey) {
      return;
    }
    const submit = event.key === 'Enter' && (event.ctrlKey || event.metaKey);
    // Ctrl+Enter submits the page even from a text field (a note is often the last step); a dialog's own field
    // (skip or reject reason) belongs to the dialog. Every other key typed in a field stays in the field.
    if (isTyping(event.target) && !(submit && !event.target.closest('.mud-dialog'))) {
      return;
    }
    // A plain Enter on a button presses the button; anywhere else it accepts the first suggestion.
    const enter = event.key === 'Enter' && !submit && !(event.target instanceof HTMLButtonElement);
    const edit = enter || ['Escape', 'Delete', 'Backspace', 'ArrowLeft', 'ArrowRight'].includes(event.key);
    const hotkey = event.key.length === 1 && !event.ctrlKey && !event.metaKey;
    if (!submit && !edit && !hotkey) {
      return;
    }
    if (submit || event.key === 'Backspace' || event.key === 'Delete' || (event.key.startsWith('Arrow') && event.shiftKey)) {
      event.preventDefault();
    }
    if (event.repeat && (submit || enter)) {
      return; // a held key submits (or accepts) once
    }
    if (enter) {
      event.preventDefault();
    }
    dotnet.invokeMethodAsync('OnKey', event.key, event.ctrlKey || event.metaKey, event.shiftKey);
  };

  container.addEventListener('mouseup', onMouseUp);
  document.addEventListener('keydown', onKeyDown);
  handlers.set(container, { onMouseUp, onKeyDown });
  // Selection and keys work from now on (tests and tools wait for this).
  container.dataset.ready = 'true';
}

export function detach(container) {
  const h = handlers.get(container);
  if (h) {
    container.removeEventListener('mouseup', h.onMouseUp);
    document.removeEventListener('keydown', h.onKeyDown);
    handlers.delete(container);
  }
}

export function reveal(container) {
  container.querySelector('.span-seg.pending')?.scrollIntoView({ block: 'nearest' });
}

// A new text (the next task after a submit): start at its beginning, as a new page would. The window only moves when
// the text's first line is hidden (above the view or under the app bar); a long text's own pane goes back to its top.
export function showStart(container) {
  container.scrollTop = 0;
  const bar = document.querySelector('.mud-appbar')?.getBoundingClientRect().bottom ?? 0;
  if (container.getBoundingClientRect().top < bar) {
    window.scrollTo({ top: 0 });
  }
}
