import type { RouteRecordRaw } from 'vue-router';
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
    path: '/nurse',
    name: 'nurse-home',
    component: () => import('../views/StaffHomeView.vue'),
    meta: { title: 'Home', roles: ['nurse'] },
  },
  {
    path: '/insurer',
    name: 'insurer-home',
    component: () => import('../views/StaffHomeView.vue'),
    meta: { title: 'Home', roles: ['insurer'] },
  },
  {
    path: '/admin',
    name: 'admin',
    component: () => import('../views/AdminView.vue'),
    meta: { title: 'Ward administration', roles: ['it-admin'] },
  },
  { path: '/:unknown(.*)*', redirect: '/login' },
];
