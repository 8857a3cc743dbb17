import type { RouteLocationNormalized, RouteRecordRaw } from 'vue-router';
import type { Role } from '../api/contract';

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title (document.title). */
    title?: string;
    /** Open without a session (login, register); a signed-in user is sent home instead. */
    public?: boolean;
    /** Roles that may open the page; absent means any signed-in role. */
    roles?: readonly Role[];
  }
}

/** The `:patient` route parameter (an account address) as the page's `patient` prop. */
function patientProp(route: RouteLocationNormalized): { patient: string } {
  const value = route.params.patient;
  return { patient: Array.isArray(value) ? (value[0] ?? '') : (value ?? '') };
}

/** Route paths (hash history: the app lives at index.html#/<path>). */
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/login' },
  { path: '/setup', name: 'setup', component: () => import('../views/SetupView.vue'), meta: { title: 'Set up ward' } },
  { path: '/login', name: 'login', component: () => import('../views/LoginView.vue'), meta: { title: 'Log in', public: true } },
  {
    path: '/register',
    name: 'register',
    component: () => import('../views/RegisterView.vue'),
    meta: { title: 'Register', public: true },
  },
  {
    path: '/doctor',
    name: 'doctor-home',
    component: () => import('../views/DoctorHomeView.vue'),
    meta: { title: 'My patients', roles: ['doctor'] },
  },
  {
    path: '/patient',
    name: 'patient-home',
    component: () => import('../views/PatientHomeView.vue'),
    meta: { title: 'My details', roles: ['patient'] },
  },
  {
    path: '/patient/record',
    name: 'my-record',
    component: () => import('../views/PatientRecordView.vue'),
    meta: { title: 'My record', roles: ['patient'] },
  },
  {
    path: '/patient/sharing',
    name: 'sharing',
    component: () => import('../views/SharingView.vue'),
    meta: { title: 'Sharing', roles: ['patient'] },
  },
  {
    path: '/patient/audit',
    name: 'access-log',
    component: () => import('../views/AccessLogView.vue'),
    props: { scope: 'self' },
    meta: { title: 'Access log', roles: ['patient'] },
  },
  {
    path: '/nurse',
    name: 'nurse-home',
    component: () => import('../views/WardBoardView.vue'),
    meta: { title: 'Ward board', roles: ['nurse'] },
  },
  {
    path: '/ward',
    name: 'ward',
    component: () => import('../views/WardBoardView.vue'),
    meta: { title: 'Ward board', roles: ['doctor', 'nurse'] },
  },
  {
    path: '/ward/incoming',
    name: 'incoming-transfers',
    component: () => import('../views/IncomingTransfersView.vue'),
    meta: { title: 'Incoming transfers', roles: ['doctor', 'nurse'] },
  },
  {
    path: '/shared',
    name: 'shared-with-me',
    component: () => import('../views/SharedWithMeView.vue'),
    meta: { title: 'Shared with you', roles: ['doctor', 'nurse'] },
  },
  {
    path: '/vitals/:patient',
    name: 'vitals',
    component: () => import('../views/VitalsEntryView.vue'),
    props: patientProp,
    meta: { title: 'Vitals entry', roles: ['nurse', 'doctor'] },
  },
  {
    path: '/escalation/:patient/:record',
    name: 'escalation',
    component: () => import('../views/EscalationView.vue'),
    props: (route: RouteLocationNormalized) => ({ ...patientProp(route), record: String(route.params.record ?? '') }),
    meta: { title: 'Escalation', roles: ['nurse', 'doctor'] },
  },
  {
    path: '/patients/:patient',
    name: 'patient-record',
    component: () => import('../views/PatientRecordView.vue'),
    props: patientProp,
    meta: { title: 'Patient record', roles: ['nurse', 'doctor', 'insurer'] },
  },
  {
    path: '/insurer',
    name: 'insurer-home',
    component: () => import('../views/InsurerHomeView.vue'),
    meta: { title: 'Home', roles: ['insurer'] },
  },
  {
    path: '/admin',
    name: 'admin',
    component: () => import('../views/AdminView.vue'),
    meta: { title: 'Ward administration', roles: ['it-admin'] },
  },
  {
    path: '/admin/consortium',
    name: 'consortium-sync',
    component: () => import('../views/SyncConsoleView.vue'),
    meta: { title: 'Consortium sync', roles: ['it-admin'] },
  },
  {
    path: '/admin/audit',
    name: 'audit-log',
    component: () => import('../views/AccessLogView.vue'),
    props: { scope: 'ward' },
    meta: { title: 'Audit log', roles: ['it-admin'] },
  },
  {
    path: '/devices',
    name: 'devices',
    component: () => import('../views/DevicesView.vue'),
    meta: { title: 'Devices', roles: ['nurse', 'doctor', 'it-admin'] },
  },
  { path: '/:unknown(.*)*', redirect: '/login' },
];
