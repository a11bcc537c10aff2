import { fold, words } from '../core/text/normalize.js';
import type { FlowTools } from '../flows/run-flow.js';
import type { Directory } from '../knowledge/directory.js';
import type { Store } from '../store/store.js';

/** The licensed companies list as `npm run agencies:import` stores it. */
export interface CompanyList {
  date: string;
  rows: { name: string; licence: string; address?: string; status?: string }[];
}
export const COMPANY_DATASET = 'licensed-companies';

// Words every company name carries; they say nothing about which company it is.
const GENERIC = new Set(
  'cong ty cty tnhh mtv co phan cp jsc ltd co company corporation corp group tap doan xuat khau lao dong xkld xkld dich vu thuong mai dau tu phat trien quoc te viet nam vn'.split(
    ' ',
  ),
);
const keyWords = (name: string) => words(name).filter((w) => !GENERIC.has(w));
const licenceKey = (s: string) => fold(s).replace(/[^a-z0-9]/g, '');

/** Looks a name or licence number up, tolerant of diacritics and of "cty", "TNHH", "JSC". */
export function searchCompanies(list: CompanyList, query: string) {
  const q = keyWords(query);
  const licence = licenceKey(query);
  return list.rows.filter((r) => {
    if (licence.length >= 3 && licenceKey(r.licence) === licence) return true;
    const have = new Set(keyWords(r.name));
    return q.length > 0 && q.every((w) => have.has(w));
  });
}

/** What flows may look up, backed by the referral directory and the store. */
export function createFlowTools(deps: {
  store: Store;
  directory: Directory;
  analyzeAd: FlowTools['analyzeAd'];
}): FlowTools {
  return {
    analyzeAd: deps.analyzeAd,
    findProvince: (text) => deps.directory.search({ province: text, locale: 'vi' }).province,
    directory: (province, need, locale) =>
      deps.directory.search({ province, need, locale }).agencies,
    async lookupCompany(query) {
      const data = await deps.store.getDataset(COMPANY_DATASET);
      if (!data) return undefined;
      const list = data.value as CompanyList;
      return { date: list.date, matches: searchCompanies(list, query) };
    },
  };
}
