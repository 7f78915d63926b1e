import type { indicatorCountryThresholds, indicators } from '../schema/index.js';
import { samplePopulation } from './populations.js';
import { COUNTRY_GROUPS, type CountryCode, type CountryGroupCode } from './reference.js';
import type { Topic } from './topics.js';

type IndicatorInsert = typeof indicators.$inferInsert;
type Periodicity = IndicatorInsert['periodicity'];
type Direction = IndicatorInsert['worseDirection'];

/** Where an indicator applies: country groups (roles) and countries named one by one. */
export interface AppliesTo {
  groups: readonly CountryGroupCode[];
  countries: readonly CountryCode[];
}

export type SampleIndicator = IndicatorInsert & { theme: Topic; appliesTo: AppliesTo };

/**
 * The sample's declarations. Most indicators are figures of the member states' own services (monitoring
 * units, prosecutors, financial intelligence units, border and prison services): the Central Asian states.
 * Incidents and their casualties are also recorded for Afghanistan (by UNAMA). The Afghan border's
 * incidents and displacement are series of the states bordering Afghanistan; the militants in northern
 * Afghanistan a series of Afghanistan itself.
 */
const CENTRAL_ASIA: AppliesTo = { groups: ['CENTRAL_ASIA'], countries: [] };
const CENTRAL_ASIA_AND_AFGHANISTAN: AppliesTo = { groups: ['CENTRAL_ASIA'], countries: ['AFG'] };
const BORDERING_AFGHANISTAN: AppliesTo = { groups: ['AFGHANISTAN_NEIGHBOURS'], countries: [] };
const AFGHANISTAN: AppliesTo = { groups: [], countries: ['AFG'] };

/** The countries a declaration resolves to (as src/db/applicability.ts resolves the stored one), sorted. */
export function applicableCountries(appliesTo: AppliesTo): CountryCode[] {
  return [...new Set([...appliesTo.countries, ...appliesTo.groups.flatMap((g) => COUNTRY_GROUPS[g].members)])].sort();
}

/** Indicators whose owner tells readers of values they may not see (the sample's one example: OP-01). */
const DISCLOSING: ReadonlySet<string> = new Set(['OP-01']);

/**
 * Counts judged per 100,000 population (their thresholds are rates): arrests grow with a state's size, so
 * the same count is a different signal in Uzbekistan (36 million) than in Kyrgyzstan (7 million).
 */
const PER_100K: ReadonlySet<string> = new Set(['VE-02']);

/** Units of whole events per period: these indicators are counts (the TREND rule judges them by a count model). */
export const COUNT_UNITS: ReadonlySet<string> = new Set(['items', 'accounts', 'cases', 'sessions', 'incidents', 'persons', 'plots', 'fighters', 'reports', 'campaigns', 'attempts', 'matches']);

function ind(
  code: string,
  theme: Topic,
  periodicity: Periodicity,
  worseDirection: Direction,
  [unit, unitRu]: readonly [string, string],
  [thresholdWatch, thresholdWarning, thresholdCritical]: readonly [number, number, number],
  [minValue, maxValue]: readonly [number, number | null],
  [nameEn, descriptionEn]: readonly [string, string],
  [nameRu, descriptionRu]: readonly [string, string],
  [methodology, methodologyRu]: readonly [string, string],
  appliesTo: AppliesTo = CENTRAL_ASIA,
): SampleIndicator {
  return {
    code, theme, periodicity, worseDirection, unit, unitRu, scale: COUNT_UNITS.has(unit) ? 'COUNT' : 'MEASURE', thresholdBasis: PER_100K.has(code) ? 'PER_100K' : 'ABSOLUTE', trendBelowWatch: false, discloseWithheld: DISCLOSING.has(code), thresholdWatch, thresholdWarning, thresholdCritical, minValue, maxValue,
    nameEn, nameRu, descriptionEn, descriptionRu, methodology, methodologyRu, appliesTo,
  };
}

const PCT = [0, 100] as const;
const COUNT = [0, null] as const;

// Thresholds run in the worse direction: HIGHER means watch < warning < critical, LOWER the reverse.
export const INDICATORS: readonly SampleIndicator[] = [
  ind('OP-01', 'ONLINE_PROPAGANDA', 'MONTHLY', 'HIGHER', ['items', 'материалов'], [120, 180, 260], COUNT,
    ['Extremist content items detected online', 'Items of terrorist or violent extremist propaganda detected on monitored platforms.'],
    ['Выявленные материалы экстремистского содержания', 'Материалы террористической и экстремистской пропаганды, выявленные на отслеживаемых платформах.'],
    ['Monthly count of unique items flagged by national monitoring units; duplicates across platforms are counted once.',
      'Число уникальных материалов, отмеченных за месяц национальными подразделениями мониторинга; материал, размещённый на нескольких платформах, учитывается один раз.']),
  ind('OP-02', 'ONLINE_PROPAGANDA', 'MONTHLY', 'LOWER', ['%', '%'], [70, 55, 40], PCT,
    ['Flagged extremist content removed within 48 hours', 'Share of flagged propaganda items taken down by platforms within 48 hours.'],
    ['Доля материалов, удалённых в течение 48 часов', 'Доля выявленных материалов пропаганды, удалённых платформами в течение 48 часов.'],
    ['Removed items divided by items flagged in the month, as reported by the national referral unit.',
      'Отношение числа удалённых материалов к числу материалов, выявленных за месяц, по данным национального подразделения, направляющего уведомления платформам.']),
  ind('OP-03', 'ONLINE_PROPAGANDA', 'MONTHLY', 'HIGHER', ['accounts', 'аккаунтов'], [40, 65, 100], COUNT,
    ['New accounts spreading propaganda in local languages', 'Newly identified channels and accounts disseminating propaganda in Central Asian languages.'],
    ['Новые аккаунты, распространяющие пропаганду на местных языках', 'Новые каналы и аккаунты, распространяющие пропаганду на языках Центральной Азии.'],
    ['Accounts first observed in the month by the monitoring units; reactivated accounts are excluded.',
      'Аккаунты, впервые замеченные подразделениями мониторинга в течение месяца; повторно активированные аккаунты не учитываются.']),
  ind('OP-04', 'ONLINE_PROPAGANDA', 'MONTHLY', 'HIGHER', ['thousand views', 'тыс. просмотров'], [300, 500, 800], COUNT,
    ['Views of identified propaganda materials', 'Audience reach of identified propaganda materials before removal.'],
    ['Просмотры выявленных материалов пропаганды', 'Охват выявленных материалов пропаганды до их удаления.'],
    ['Sum of platform-reported views at the time of flagging, in thousands.',
      'Сумма просмотров по данным платформ на момент выявления, в тысячах.']),
  ind('RR-01', 'RELIGIOUS_RADICALIZATION', 'MONTHLY', 'HIGHER', ['cases', 'случаев'], [8, 14, 22], COUNT,
    ['Recorded recruitment attempts', 'Attempts to recruit individuals into violent extremist groups recorded by the authorities.'],
    ['Зарегистрированные попытки вербовки', 'Попытки вербовки в насильственные экстремистские группы, зарегистрированные органами власти.'],
    ['Cases opened in the month on recruitment or incitement; one case per recruiter-target pair.',
      'Дела, возбуждённые за месяц по фактам вербовки или подстрекательства; одно дело на каждую пару «вербовщик — вербуемый».']),
  ind('RR-02', 'RELIGIOUS_RADICALIZATION', 'MONTHLY', 'HIGHER', ['cases', 'случаев'], [10, 16, 25], COUNT,
    ['Unregistered radical study circles identified', 'Clandestine study circles promoting violent ideologies identified in the month.'],
    ['Выявленные незарегистрированные радикальные кружки', 'Подпольные кружки, пропагандирующие насильственные идеологии, выявленные за месяц.'],
    ['Circles confirmed by two independent sources; counted in the month of first confirmation.',
      'Кружки, существование которых подтверждено двумя независимыми источниками; учитываются в месяце первого подтверждения.']),
  ind('RR-03', 'RELIGIOUS_RADICALIZATION', 'QUARTERLY', 'LOWER', ['sessions', 'встреч'], [40, 25, 12], COUNT,
    ['Community prevention and outreach sessions', 'Prevention sessions held with communities, religious leaders and youth.'],
    ['Профилактические встречи с сообществами', 'Профилактические встречи с общинами, религиозными лидерами и молодёжью.'],
    ['Sessions reported by national focal points and civil society partners for the quarter.',
      'Встречи за квартал по данным национальных координаторов и партнёров из гражданского общества.']),
  ind('VE-01', 'VIOLENT_EXTREMISM', 'MONTHLY', 'HIGHER', ['incidents', 'инцидентов'], [3, 6, 10], COUNT,
    ['Terrorism-related incidents', 'Attacks, attempted attacks and armed clashes attributed to terrorist groups.'],
    ['Инциденты террористического характера', 'Нападения, попытки нападений и вооружённые столкновения с участием террористических групп.'],
    ['Incidents confirmed by national authorities; multi-day events count once, in the month they began.',
      'Инциденты, подтверждённые национальными органами; многодневное событие учитывается один раз, в месяце его начала.'], CENTRAL_ASIA_AND_AFGHANISTAN),
  ind('VE-02', 'VIOLENT_EXTREMISM', 'MONTHLY', 'HIGHER', ['persons', 'человек'], [0.08, 0.13, 0.2], COUNT,
    ['Arrests on terrorism and extremism charges', 'Persons detained on terrorism or violent extremism charges.'],
    ['Задержания по обвинениям в терроризме и экстремизме', 'Лица, задержанные по обвинениям в терроризме или насильственном экстремизме.'],
    ['Detentions recorded by the prosecution service; re-arrests of the same person count separately.',
      'Задержания, зарегистрированные органами прокуратуры; повторные задержания одного и того же лица учитываются отдельно.']),
  ind('VE-03', 'VIOLENT_EXTREMISM', 'MONTHLY', 'HIGHER', ['plots', 'замыслов'], [2, 4, 7], COUNT,
    ['Terrorist plots disrupted', 'Plots disrupted at the planning or preparation stage.'],
    ['Предотвращённые террористические замыслы', 'Замыслы, пресечённые на стадии планирования или подготовки.'],
    ['Plots announced or reported to the focal point; one plot may involve several arrests.',
      'Замыслы, о пресечении которых объявлено или сообщено координатору; по одному замыслу могут быть задержаны несколько человек.']),
  ind('VE-04', 'VIOLENT_EXTREMISM', 'MONTHLY', 'HIGHER', ['persons', 'человек'], [2, 8, 20], COUNT,
    ['Casualties of terrorist attacks', 'Persons killed or injured in terrorist attacks.'],
    ['Пострадавшие от террористических нападений', 'Лица, погибшие или раненые в результате террористических нападений.'],
    ['Killed and injured combined, from official statements; perpetrators are excluded.',
      'Погибшие и раненые вместе, по официальным заявлениям; исполнители нападений не учитываются.'], CENTRAL_ASIA_AND_AFGHANISTAN),
  ind('FTF-01', 'FOREIGN_TERRORIST_FIGHTERS', 'MONTHLY', 'HIGHER', ['persons', 'человек'], [5, 10, 18], COUNT,
    ['Returning foreign terrorist fighters identified', 'Foreign terrorist fighters identified on return to the country.'],
    ['Выявленные вернувшиеся иностранные боевики-террористы', 'Иностранные боевики-террористы, выявленные при возвращении в страну.'],
    ['Persons identified at entry or after return, by month of identification.',
      'Лица, выявленные при въезде или после возвращения, по месяцу выявления.']),
  ind('FTF-02', 'FOREIGN_TERRORIST_FIGHTERS', 'MONTHLY', 'HIGHER', ['persons', 'человек'], [60, 100, 160], COUNT,
    ['Repatriated family members awaiting reintegration', 'Women and children repatriated from conflict zones not yet enrolled in reintegration.'],
    ['Репатриированные члены семей в ожидании реинтеграции', 'Женщины и дети, возвращённые из зон конфликтов и ещё не включённые в программы реинтеграции.'],
    ['Stock at the end of the month, from the national repatriation registry.',
      'Численность на конец месяца по данным национального реестра репатриантов.']),
  ind('FTF-03', 'FOREIGN_TERRORIST_FIGHTERS', 'MONTHLY', 'HIGHER', ['persons', 'человек'], [4, 8, 14], COUNT,
    ['Intercepted departures to conflict zones', 'Persons stopped while attempting to travel to join terrorist groups abroad.'],
    ['Пресечённые выезды в зоны конфликтов', 'Лица, задержанные при попытке выезда для присоединения к террористическим группам за рубежом.'],
    ['Interceptions at border crossing points and airports, by month of interception.',
      'Задержания в пунктах пропуска через государственную границу и в аэропортах, по месяцу задержания.']),
  ind('AFG-01', 'AFGHANISTAN', 'MONTHLY', 'HIGHER', ['incidents', 'инцидентов'], [25, 40, 60], COUNT,
    ['Security incidents near the Afghan northern border', 'Security incidents in Afghan provinces bordering Central Asia.'],
    ['Инциденты безопасности у северной границы Афганистана', 'Инциденты безопасности в провинциях Афганистана, граничащих с Центральной Азией.'],
    ['Incidents recorded by UNAMA and national border services, attributed to the nearest state.',
      'Инциденты, зарегистрированные МООНСА и национальными пограничными службами, с отнесением к ближайшему государству.'], BORDERING_AFGHANISTAN),
  ind('AFG-02', 'AFGHANISTAN', 'QUARTERLY', 'HIGHER', ['fighters', 'боевиков'], [1500, 2500, 4000], COUNT,
    ['Estimated foreign militants near the northern border', 'Estimated number of foreign militants present in northern Afghanistan.'],
    ['Оценочная численность иностранных боевиков у северной границы', 'Оценочная численность иностранных боевиков на севере Афганистана.'],
    ['Mid-point of the range estimated by the Monitoring Team and national services for the quarter.',
      'Середина диапазона оценок Группы по наблюдению и национальных служб за квартал.'], AFGHANISTAN),
  ind('AFG-03', 'AFGHANISTAN', 'MONTHLY', 'HIGHER', ['thousand persons', 'тыс. человек'], [5, 10, 20], COUNT,
    ['Cross-border displacement flows', 'People crossing from Afghanistan seeking protection or leaving insecurity.'],
    ['Трансграничные перемещения населения', 'Лица, пересекающие границу с Афганистаном в поисках защиты.'],
    ['Arrivals registered by border and migration services, in thousands.',
      'Прибытия, зарегистрированные пограничными и миграционными службами, в тысячах.'], BORDERING_AFGHANISTAN),
  ind('TF-01', 'TERRORISM_FINANCING', 'MONTHLY', 'HIGHER', ['reports', 'сообщений'], [30, 50, 80], COUNT,
    ['Suspicious transaction reports linked to terrorism financing', 'Suspicious transaction reports flagged for possible terrorism financing.'],
    ['Сообщения о подозрительных операциях, связанных с финансированием терроризма', 'Сообщения о подозрительных операциях с признаками финансирования терроризма.'],
    ['Reports received by the financial intelligence unit and classified under terrorism financing.',
      'Сообщения, полученные подразделением финансовой разведки и отнесённые к финансированию терроризма.']),
  ind('TF-02', 'TERRORISM_FINANCING', 'MONTHLY', 'HIGHER', ['cases', 'дел'], [6, 10, 16], COUNT,
    ['Informal value transfer (hawala) cases investigated', 'Investigations into informal money transfer networks suspected of funding terrorism.'],
    ['Расследования неформальных денежных переводов (хавала)', 'Расследования неформальных систем перевода денег, подозреваемых в финансировании терроризма.'],
    ['Investigations opened in the month; joint investigations count once per state.',
      'Расследования, начатые за месяц; совместное расследование учитывается один раз для каждого государства.']),
  ind('TF-03', 'TERRORISM_FINANCING', 'MONTHLY', 'HIGHER', ['campaigns', 'сборов'], [4, 8, 14], COUNT,
    ['Crowdfunding campaigns linked to extremist groups', 'Online fundraising campaigns identified as benefiting extremist groups.'],
    ['Сборы средств в интернете в пользу экстремистских групп', 'Онлайн-сборы средств, выявленные как поддерживающие экстремистские группы.'],
    ['Campaigns identified by the financial intelligence unit and platform referrals.',
      'Сборы, выявленные подразделением финансовой разведки и по уведомлениям платформ.']),
  ind('BS-01', 'BORDER_SECURITY', 'MONTHLY', 'HIGHER', ['attempts', 'попыток'], [150, 250, 400], COUNT,
    ['Illegal border crossing attempts', 'Attempts to cross the state border outside official crossing points.'],
    ['Попытки незаконного пересечения границы', 'Попытки пересечения государственной границы вне пунктов пропуска.'],
    ['Attempts recorded by the border service, detected or prevented.',
      'Попытки, зарегистрированные пограничной службой, как выявленные, так и предотвращённые.']),
  ind('BS-02', 'BORDER_SECURITY', 'MONTHLY', 'HIGHER', ['items', 'единиц'], [20, 35, 60], COUNT,
    ['Weapons and explosives seized at borders', 'Firearms, ammunition lots and explosive devices seized at borders.'],
    ['Оружие и взрывчатые вещества, изъятые на границе', 'Огнестрельное оружие, партии боеприпасов и взрывные устройства, изъятые на границе.'],
    ['Seizure records of border and customs services; one lot of ammunition counts as one item.',
      'Данные об изъятиях пограничных и таможенных служб; одна партия боеприпасов учитывается как одна единица.']),
  ind('BS-03', 'BORDER_SECURITY', 'ANNUAL', 'LOWER', ['%', '%'], [75, 60, 45], PCT,
    ['Border crossing points with biometric screening', 'Share of official crossing points screening travellers biometrically.'],
    ['Пункты пропуска с биометрической проверкой', 'Доля пунктов пропуска, где проводится биометрическая проверка.'],
    ['Crossing points equipped and operational on 31 December, divided by all official points.',
      'Отношение числа пунктов пропуска, оснащённых и действующих на 31 декабря, к общему числу официальных пунктов пропуска.']),
  ind('PR-01', 'PRISONS_REHABILITATION', 'MONTHLY', 'HIGHER', ['persons', 'человек'], [400, 550, 700], COUNT,
    ['Inmates convicted of terrorism or extremism offences', 'Prison population serving sentences for terrorism or extremism offences.'],
    ['Осуждённые за преступления террористической и экстремистской направленности', 'Число лиц, отбывающих наказание за преступления террористической или экстремистской направленности.'],
    ['Stock on the last day of the month, from the penitentiary service.',
      'Численность на последний день месяца по данным пенитенциарной службы.']),
  ind('PR-02', 'PRISONS_REHABILITATION', 'MONTHLY', 'LOWER', ['%', '%'], [75, 60, 45], PCT,
    ['Rehabilitation programme completion rate', 'Share of enrolled offenders completing the disengagement and rehabilitation programme.'],
    ['Доля завершивших программу реабилитации', 'Доля участников, завершивших программу дерадикализации и реабилитации.'],
    ['Completions divided by scheduled completions in the month; drop-outs count as not completed.',
      'Отношение числа завершивших программу к числу участников, которые должны были завершить её в этом месяце; выбывшие считаются не завершившими.']),
  ind('PR-03', 'PRISONS_REHABILITATION', 'ANNUAL', 'HIGHER', ['%', '%'], [8, 12, 18], PCT,
    ['Recidivism among released terrorism offenders', 'Released terrorism offenders re-arrested within two years.'],
    ['Рецидив среди освобождённых осуждённых за терроризм', 'Доля освобождённых осуждённых за терроризм, повторно задержанных в течение двух лет.'],
    ['Cohort released in the year, followed for 24 months; reported with a lag.',
      'Лица, освобождённые за год, за которыми наблюдают в течение 24 месяцев; данные поступают с задержкой.']),
  ind('SI-01', 'SANCTIONS_IMPLEMENTATION', 'MONTHLY', 'HIGHER', ['matches', 'совпадений'], [3, 6, 10], COUNT,
    ['Sanctions list screening matches escalated', 'Potential matches against the ISIL (Da\'esh)/Al-Qaida and Taliban sanctions lists escalated for review.'],
    ['Совпадения с санкционными перечнями, переданные на проверку', 'Возможные совпадения с санкционными перечнями по ИГИЛ (ДАИШ)/«Аль-Каиде» и «Талибану», переданные на проверку.'],
    ['Escalations by reporting entities to the competent authority; false positives are included.',
      'Совпадения, переданные подотчётными организациями в компетентный орган; ложные совпадения также учитываются.']),
  ind('SI-02', 'SANCTIONS_IMPLEMENTATION', 'MONTHLY', 'HIGHER', ['days', 'дней'], [3, 7, 14], [0, 365],
    ['Days to apply consolidated list updates', 'Median delay between a list amendment and its application by national authorities.'],
    ['Срок применения изменений сводного перечня', 'Медианная задержка между изменением перечня и его применением национальными органами.'],
    ['Median over the amendments published in the month, in calendar days.',
      'Медиана по изменениям, опубликованным за месяц, в календарных днях.']),
  ind('SI-03', 'SANCTIONS_IMPLEMENTATION', 'QUARTERLY', 'LOWER', ['%', '%'], [85, 70, 55], PCT,
    ['Financial institutions filing screening returns', 'Share of supervised financial institutions filing sanctions screening returns.'],
    ['Финансовые учреждения, представившие отчёты о проверке', 'Доля поднадзорных финансовых учреждений, представивших отчёты о санкционной проверке.'],
    ['Returns received by the supervisor for the quarter, divided by institutions required to file.',
      'Отношение числа отчётов, полученных надзорным органом за квартал, к числу учреждений, обязанных их представлять.']),
  ind('WP-01', 'WORKPLAN', 'QUARTERLY', 'LOWER', ['%', '%'], [80, 65, 50], PCT,
    ['Workplan activities completed on schedule', 'Share of the network workplan activities due in the quarter that were completed.'],
    ['Мероприятия плана работы, выполненные в срок', 'Доля мероприятий плана работы сети, выполненных в срок за квартал.'],
    ['Activities completed divided by activities due, from the network secretariat tracker.',
      'Отношение числа выполненных мероприятий к числу запланированных, по данным системы учёта секретариата сети.']),
];

type CountryThresholdsInsert = typeof indicatorCountryThresholds.$inferInsert;

/**
 * Countries judged by their own thresholds: Afghanistan's incident and casualty counts (UNAMA's) are of
 * another order than the Central Asian states', and against the defaults every Afghan month would be
 * critical, which would say nothing.
 */
export const COUNTRY_THRESHOLDS: readonly Omit<CountryThresholdsInsert, 'updatedAt'>[] = [
  { indicatorCode: 'VE-01', countryIso3: 'AFG', thresholdWatch: 12, thresholdWarning: 20, thresholdCritical: 35, note: "Afghanistan's incident counts are of another order than the Central Asian states' (UNAMA's recording)." },
  { indicatorCode: 'VE-04', countryIso3: 'AFG', thresholdWatch: 20, thresholdWarning: 50, thresholdCritical: 120, note: "Afghanistan's casualty counts are of another order than the Central Asian states' (UNAMA's recording)." },
];

/**
 * The watch, warning and critical values of one sample series in the indicator's own units (the
 * generator draws values around them): the country's thresholds or the defaults, and a rate's thresholds
 * turned into counts with the country's latest population.
 */
export function sampleSeriesThresholds(indicator: SampleIndicator, country: CountryCode, year: number): [number, number, number] {
  const own = COUNTRY_THRESHOLDS.find((t) => t.indicatorCode === indicator.code && t.countryIso3 === country);
  const t: [number, number, number] = own ? [own.thresholdWatch, own.thresholdWarning, own.thresholdCritical] : [indicator.thresholdWatch, indicator.thresholdWarning, indicator.thresholdCritical];
  if (indicator.thresholdBasis !== 'PER_100K') return t;
  const per = samplePopulation(country, year) / 100_000;
  return t.map((x) => x * per) as [number, number, number];
}
