/** The widget's own words (the bot's words come from the server). */
export const STRINGS = {
  vi: {
    open: 'Mở trò chuyện',
    close: 'Đóng',
    quickExit: 'Thoát nhanh',
    quickExitHint: 'Thoát nhanh: xóa trò chuyện và chuyển sang trang khác (hoặc bấm Esc 3 lần)',
    placeholder: 'Nhập câu hỏi…',
    inputLabel: 'Tin nhắn của bạn',
    send: 'Gửi',
    you: 'Bạn',
    bot: 'Safe Journey',
    readMore: 'Đọc thêm',
    sources: 'Nguồn',
    offline: 'Đang kết nối lại…',
    typing: 'Tư vấn viên đang nhập…',
    failed: 'Chưa gửi được. Bấm Gửi để thử lại.',
    tooLong: 'Tin nhắn dài quá, bạn chia nhỏ giúp mình nhé.',
  },
  en: {
    open: 'Open chat',
    close: 'Close',
    quickExit: 'Quick exit',
    quickExitHint: 'Quick exit: clear the chat and leave this page (or press Esc 3 times)',
    placeholder: 'Type your question…',
    inputLabel: 'Your message',
    send: 'Send',
    you: 'You',
    bot: 'Safe Journey',
    readMore: 'Read more',
    sources: 'Sources',
    offline: 'Reconnecting…',
    typing: 'The counsellor is typing…',
    failed: 'Not sent yet. Press Send to try again.',
    tooLong: 'That message is too long, please split it up.',
  },
} as const;

export type Strings = (typeof STRINGS)['vi'] | (typeof STRINGS)['en'];
