/**
 * The labels that open a turn in MedDialog and MIE text ("label：text"), as written in the dumps and
 * their re-published copies. Each becomes the turn's speaker as written; normalise's roles table
 * (src/stages/normalise/roles.ts) maps the patient's side and the doctor's side, and rejects the
 * others (护士, 客服, 系统: staff or the platform, neither side) as `normalise.unknown_speaker`.
 * A label must be on this list to start a turn: any other "word：" at the start of a line is text
 * of the turn it is in. Longer labels come first (患者家属 before 患者).
 */
export const SPEAKER_LABELS = [
  // the patient's side (traditional-script copies too: labels are read before trad→simp)
  '患者家属', '病人家属', '患者家屬', '病人家屬', '患者本人', '病人', '患者', '病患', '家属', '家屬', '家长', '家長', 'Patient', 'patient',
  // the doctor's side: 医师, 专家 and 醫生 open a turn as 医生 does (they were text, so a doctor's
  // answer under 医师： stayed inside the patient's turn)
  '医生助理', '醫生助理', '医生', '醫生', '医师', '醫師', '专家', '專家', '大夫', '医助', '醫助', '助理', 'Doctor', 'doctor',
  // neither: a turn of its own, rejected in normalise (護士, 系統: traditional-script copies; they
  // were text, so a nurse's words stayed in the patient's turn and a system notice in the doctor's)
  '护士', '護士', '客服', '系统', '系統',
];

/**
 * The colons a label may end with: full- and half-width, and the ones traditional-script copies
 * and GB2312 text write for them (︰ U+FE30, ∶ U+2236); with those a Dialogue section had no turn.
 * A character class for a RegExp source.
 */
export const SPEAKER_COLON = '[：:\ufe30\u2236]';
