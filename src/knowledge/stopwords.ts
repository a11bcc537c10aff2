/**
 * Words that carry no topic on their own (folded). They still count inside
 * syllable pairs ("ho chieu", "bi giu"), so "hộ chiếu" keeps its meaning while
 * "họ" alone does not pull answers about passports.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  [
    // Vietnamese function words, pronouns and particles (folded)
    'la co khong thi ma va voi cho de nay do kia nhu the nao gi toi em anh chi ban minh ho',
    'oi a ah u nhe nha nhi vay roi sao cai nhung cac mot rat qua lai se da dang bi o tai',
    'con neu khi thoi nua cung hay hoac ay vao ra tu den trong sau truoc duoc ai cau',
    'muon can phai biet hoi xin chao giup voi dau bao nhieu lam duoc admin ad ak ha vs',
    'j k ko z v r e b c t m dc ntn nguoi ta ong ba co di',
    // English
    'the a an and or but if of to in on at for with from by about as is are was were be been',
    'i me my we our you your he him his she her it its they them their this that these those',
    'do does did doing have has had can could will would should may might must what which who',
    'whom how why when where there here not no yes so very just also any some all please pls',
    'am get got want know tell thank thanks hi hello hey ok okay',
  ]
    .join(' ')
    .split(/\s+/),
);
