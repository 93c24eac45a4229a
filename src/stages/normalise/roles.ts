/** Speaker labels as sources write them → patient | doctor. Unknown labels are rejects, not guesses. */
import type { Role } from '../../../schemas/dialogue.js';

const ROLE_BY_LABEL: Record<string, Role> = {
  病人: 'patient', 患者: 'patient', 病患: 'patient', 用户: 'patient', 咨询者: 'patient', 提问者: 'patient', 家属: 'patient',
  家长: 'patient', 患者家属: 'patient', 病人家属: 'patient', 患者本人: 'patient',
  p: 'patient', patient: 'patient', patients: 'patient', user: 'patient', q: 'patient', human: 'patient',
  医生: 'doctor', 大夫: 'doctor', 医师: 'doctor', 专家: 'doctor', 主任: 'doctor',
  助理: 'doctor', 医助: 'doctor', 医生助理: 'doctor',
  // traditional script: labels are mapped before trad→simp
  患者家屬: 'patient', 病人家屬: 'patient', 家屬: 'patient', 家長: 'patient',
  醫生: 'doctor', 醫師: 'doctor', 專家: 'doctor', 醫助: 'doctor', 醫生助理: 'doctor',
  d: 'doctor', doctor: 'doctor', doctors: 'doctor', a: 'doctor', assistant: 'doctor', gpt: 'doctor',
};

export function roleOf(label: string): Role | undefined {
  const key = label.trim().replace(/[:：]$/, '').trim().toLowerCase();
  return ROLE_BY_LABEL[key];
}
