/** `ward/*`: the ward's status and first-run setup, the board and the admission workflow. */
import { actorOf, type ApiServices, type HandlersFor } from './services';

export function wardHandlers({ node, config, identity, sessions, board, disk }: ApiServices): HandlersFor<'ward'> {
  return {
    'ward/status': async () => ({
      initialized: identity.initialized,
      wardName: config.get()?.wardName ?? null,
      chainId: node.options.chainId,
      blockNumber: await node.blockNumber(),
      registryAddress: config.get()?.registryAddress ?? null,
      lockTimeoutSeconds: config.lockTimeoutSeconds,
      maxReadingAgeDays: config.maxReadingAgeDays,
      glucoseUnit: config.glucoseUnit,
    }),
    'ward/setup': async (ctx, input) => {
      ctx.progress('Creating the IT admin key', 0);
      const result = await identity.setupWard(input);
      ctx.progress('Ward ready', 1);
      return result;
    },
    'ward/census': async (ctx) => board.census(actorOf(sessions, ctx)),
    'ward/workstation': async () => ({ diskWarning: await disk.staffWarning() }),
    'ward/unadmittedPatients': async (ctx) => board.unadmittedPatients(actorOf(sessions, ctx)),
    'ward/doctors': async (ctx) => board.doctors(actorOf(sessions, ctx)),
    'ward/admit': async (ctx, { patient, ...admit }) => board.admit(actorOf(sessions, ctx), patient, admit),
    'ward/registerAndAdmit': async (ctx, { name, dob, hospitalNumber, ...admit }) => {
      ctx.progress('Registering the patient and creating their key', 0);
      return board.registerAndAdmit(actorOf(sessions, ctx), { name, dob, hospitalNumber }, admit);
    },
    'ward/assignDoctor': async (ctx, input) => board.assignDoctor(actorOf(sessions, ctx), input.patient, input.doctor),
    'ward/setNews2Scale': async (ctx, input) => board.setNews2Scale(actorOf(sessions, ctx), input.patient, input.scale, input.reason),
    'ward/discharge': async (ctx, input) => {
      await board.discharge(actorOf(sessions, ctx), input.patient);
      return { discharged: true as const };
    },
  };
}
