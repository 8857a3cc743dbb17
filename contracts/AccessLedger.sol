// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {WardRegistry} from "./WardRegistry.sol";

/**
 * @title AccessLedger
 * @notice Patient consent (grants and revocations), care relationships (admission, responsible
 * doctor, discharge) and the audit trail of record accesses: every basis for reading a patient's
 * record other than the patient's own key, and every use of it.
 * @dev Events-first: the audit trail lives in logs (cheap, append-only, indexed by patientRef);
 * consent is also kept in storage so contracts and clients can ask isGranted().
 * Patient and subject references are pseudonymous (salted/keyed hashes made off-chain); no PHI.
 * Consent is enforced by the core when it wraps record keys; this contract records it and the
 * accesses, and enforces who may write either.
 *
 * Care relationships decide who reads without consent (the ward's nurses while a patient is
 * admitted, the responsible doctor), so changing one is guarded like a read: only Nurses and
 * Doctors admit; the responsible doctor is changed by a Nurse, by the responsible doctor handing
 * over, or by a Doctor taking on a patient who has none; only a Nurse or the responsible doctor
 * discharges. A Doctor cannot make himself responsible for another doctor's patient.
 */
contract AccessLedger {
    /// @notice Audit action: a record was read (opened, decrypted).
    uint8 public constant ACTION_READ = 0;
    /// @notice Audit action: records were exported (e.g. a FHIR bundle).
    uint8 public constant ACTION_EXPORT = 1;
    /// @notice Audit action: a record or export was verified against its anchor.
    uint8 public constant ACTION_VERIFY = 2;
    /// @notice Audit action: a record was amended (a correcting record was written).
    uint8 public constant ACTION_AMEND = 3;
    /// @notice Audit action: a patient's name and latest observations were shown in a list (ward board, patient list).
    uint8 public constant ACTION_LIST = 4;

    /// @notice Care change: the patient was admitted (with or without a responsible doctor).
    uint8 public constant CARE_ADMIT = 0;
    /// @notice Care change: the responsible doctor changed.
    uint8 public constant CARE_ASSIGN_DOCTOR = 1;
    /// @notice Care change: the patient was discharged (every care relationship ends).
    uint8 public constant CARE_DISCHARGE = 2;

    /// @notice A patient's care relationships now.
    struct Care {
        bool admitted;
        /// The responsible doctor, or the zero address.
        address responsibleDoctor;
        /// When the current admission began (0 when not admitted).
        uint64 admittedAt;
    }

    /// @notice The caller is not an Approved Patient.
    error NotPatient(address caller);
    /// @notice The grantee is not an Approved member of the registry.
    error UnknownGrantee(address grantee);
    /// @notice The same consent is already in force.
    error AlreadyGranted(address patient, address grantee, bytes32 scope);
    /// @notice There is no such consent to revoke.
    error NotGranted(address patient, address grantee, bytes32 scope);
    /// @notice The caller is not an Approved member of the registry.
    error NotMember(address caller);
    /// @notice The action code is not one of ACTION_READ..ACTION_LIST.
    error InvalidAction(uint8 action);
    /// @notice Break-glass access is only for Approved Doctors and Nurses.
    error BreakGlassNotAllowed(address caller);
    /// @notice Break-glass access needs a non-zero reason commitment.
    error ReasonRequired();
    /// @notice The arrays of a batch call differ in length.
    error LengthMismatch();
    /// @notice The patient is not admitted.
    error NotAdmitted(bytes32 patientRef);
    /// @notice The patient is already admitted.
    error AlreadyAdmitted(bytes32 patientRef);
    /// @notice The account named as responsible doctor is not an Approved Doctor.
    error NotDoctor(address account);
    /// @notice The caller may not make this change of care relationship.
    error CareChangeNotAllowed(address caller);

    /// @notice A patient allowed `grantee` access within `scope`.
    event AccessGranted(address indexed patient, address indexed grantee, bytes32 scope);
    /// @notice A patient withdrew `grantee`'s access within `scope`.
    event AccessRevoked(address indexed patient, address indexed grantee, bytes32 scope);
    /// @notice A member accessed a patient's record(s).
    event AccessAudited(
        bytes32 indexed patientRef,
        address indexed actor,
        uint8 action,
        bytes32 subjectRef,
        bytes32 reasonCommitment,
        bool breakGlass,
        uint64 timestamp
    );

    /// @notice A care relationship changed (see CARE_ADMIT..CARE_DISCHARGE); `responsibleDoctor` is the one in force after it.
    event CareChanged(bytes32 indexed patientRef, address indexed actor, uint8 change, address responsibleDoctor, uint64 timestamp);

    /// @notice The membership registry consulted for every call.
    WardRegistry public immutable wardRegistry;

    mapping(address patient => mapping(address grantee => mapping(bytes32 scope => bool))) private _consent;
    mapping(bytes32 patientRef => Care) private _care;

    /// @param registry The ward's WardRegistry.
    constructor(address registry) {
        wardRegistry = WardRegistry(registry);
    }

    /**
     * @notice The sender (an Approved Patient) allows `grantee` access within `scope`.
     * @param grantee An Approved member (doctor, nurse, insurer, ...).
     * @param scope What the grant covers, as agreed off-chain (e.g. keccak256("records:read")).
     */
    function grant(address grantee, bytes32 scope) external {
        _requirePatient();
        if (wardRegistry.approvedRole(grantee) == WardRegistry.Role.None) revert UnknownGrantee(grantee);
        if (_consent[msg.sender][grantee][scope]) revert AlreadyGranted(msg.sender, grantee, scope);
        _consent[msg.sender][grantee][scope] = true;
        emit AccessGranted(msg.sender, grantee, scope);
    }

    /**
     * @notice The sender (an Approved Patient) withdraws `grantee`'s access within `scope`.
     * @dev Works even when the grantee has since left the registry. What the grantee could
     * already read stays readable; revocation stops future access only.
     * @param grantee The account that was granted access.
     * @param scope The scope of that grant.
     */
    function revoke(address grantee, bytes32 scope) external {
        _requirePatient();
        if (!_consent[msg.sender][grantee][scope]) revert NotGranted(msg.sender, grantee, scope);
        _consent[msg.sender][grantee][scope] = false;
        emit AccessRevoked(msg.sender, grantee, scope);
    }

    /**
     * @notice Whether `patient`'s consent for `grantee` within `scope` is in force now.
     * @dev True only while the consent exists AND the grantee is still an Approved member, so a
     * member revoked from the registry loses every grant without the patient acting.
     * @param patient The patient's account.
     * @param grantee The grantee's account.
     * @param scope The scope.
     * @return Whether access is granted.
     */
    function isGranted(address patient, address grantee, bytes32 scope) external view returns (bool) {
        return _consent[patient][grantee][scope] && wardRegistry.approvedRole(grantee) != WardRegistry.Role.None;
    }

    /**
     * @notice Records one access by the sender (any Approved member) in the audit trail.
     * @dev Break-glass (emergency access without consent) is only for Doctors and Nurses and
     * needs a reason commitment (salted hash of the free-text reason kept off-chain).
     * @param patientRef Pseudonymous patient reference.
     * @param subjectRef What was accessed (record id, batch root or export id), pseudonymous.
     * @param action ACTION_READ (0), ACTION_EXPORT (1), ACTION_VERIFY (2), ACTION_AMEND (3) or ACTION_LIST (4).
     * @param reasonCommitment Commitment to the reason; required for break-glass, else optional.
     * @param breakGlass Whether this is an emergency access.
     */
    function recordAccess(
        bytes32 patientRef,
        bytes32 subjectRef,
        uint8 action,
        bytes32 reasonCommitment,
        bool breakGlass
    ) external {
        WardRegistry.Role role = _requireMember();
        _audit(role, patientRef, subjectRef, action, reasonCommitment, breakGlass);
    }

    /**
     * @notice Records many accesses by the sender in one transaction (same rules as recordAccess;
     * one invalid entry reverts the whole batch).
     * @param patientRefs Pseudonymous patient references.
     * @param subjectRefs What was accessed, one per entry.
     * @param actions Action codes, one per entry.
     * @param reasonCommitments Reason commitments, one per entry.
     * @param breakGlass Break-glass flags, one per entry.
     */
    function recordAccessBatch(
        bytes32[] calldata patientRefs,
        bytes32[] calldata subjectRefs,
        uint8[] calldata actions,
        bytes32[] calldata reasonCommitments,
        bool[] calldata breakGlass
    ) external {
        uint256 length = patientRefs.length;
        if (
            subjectRefs.length != length ||
            actions.length != length ||
            reasonCommitments.length != length ||
            breakGlass.length != length
        ) revert LengthMismatch();
        WardRegistry.Role role = _requireMember();
        for (uint256 i = 0; i < length; ++i) {
            _audit(role, patientRefs[i], subjectRefs[i], actions[i], reasonCommitments[i], breakGlass[i]);
        }
    }

    /**
     * @notice Admits a patient to the ward. Only Approved Nurses and Doctors.
     * @param patientRef Pseudonymous patient reference.
     * @param responsibleDoctor An Approved Doctor, or the zero address for none yet.
     */
    function admit(bytes32 patientRef, address responsibleDoctor) external {
        _requireClinician();
        Care storage c = _care[patientRef];
        if (c.admitted) revert AlreadyAdmitted(patientRef);
        if (responsibleDoctor != address(0)) _requireDoctor(responsibleDoctor);
        c.admitted = true;
        c.responsibleDoctor = responsibleDoctor;
        c.admittedAt = uint64(block.timestamp);
        emit CareChanged(patientRef, msg.sender, CARE_ADMIT, responsibleDoctor, uint64(block.timestamp));
    }

    /**
     * @notice Makes `doctor` the admitted patient's responsible doctor. Allowed to an Approved
     * Nurse; to the responsible doctor (handing over); and to a Doctor naming himself when the
     * patient has no responsible doctor (or theirs is no longer an Approved Doctor).
     * @param patientRef Pseudonymous patient reference.
     * @param doctor An Approved Doctor.
     */
    function assignDoctor(bytes32 patientRef, address doctor) external {
        WardRegistry.Role role = _requireClinician();
        Care storage c = _care[patientRef];
        if (!c.admitted) revert NotAdmitted(patientRef);
        _requireDoctor(doctor);
        address current = c.responsibleDoctor;
        bool vacant = current == address(0) || wardRegistry.approvedRole(current) != WardRegistry.Role.Doctor;
        bool allowed = role == WardRegistry.Role.Nurse || msg.sender == current || (vacant && msg.sender == doctor);
        if (!allowed) revert CareChangeNotAllowed(msg.sender);
        c.responsibleDoctor = doctor;
        emit CareChanged(patientRef, msg.sender, CARE_ASSIGN_DOCTOR, doctor, uint64(block.timestamp));
    }

    /**
     * @notice Discharges an admitted patient: every care relationship ends. Only an Approved Nurse
     * or the patient's responsible doctor.
     * @param patientRef Pseudonymous patient reference.
     */
    function discharge(bytes32 patientRef) external {
        WardRegistry.Role role = _requireClinician();
        Care storage c = _care[patientRef];
        if (!c.admitted) revert NotAdmitted(patientRef);
        if (role != WardRegistry.Role.Nurse && msg.sender != c.responsibleDoctor) revert CareChangeNotAllowed(msg.sender);
        delete _care[patientRef];
        emit CareChanged(patientRef, msg.sender, CARE_DISCHARGE, address(0), uint64(block.timestamp));
    }

    /**
     * @notice A patient's care relationships now.
     * @param patientRef Pseudonymous patient reference.
     * @return Whether admitted, the responsible doctor, and since when.
     */
    function careOf(bytes32 patientRef) external view returns (Care memory) {
        return _care[patientRef];
    }

    function _audit(
        WardRegistry.Role role,
        bytes32 patientRef,
        bytes32 subjectRef,
        uint8 action,
        bytes32 reasonCommitment,
        bool breakGlass
    ) private {
        if (action > ACTION_LIST) revert InvalidAction(action);
        if (breakGlass) {
            if (role != WardRegistry.Role.Doctor && role != WardRegistry.Role.Nurse) revert BreakGlassNotAllowed(msg.sender);
            if (reasonCommitment == bytes32(0)) revert ReasonRequired();
        }
        emit AccessAudited(patientRef, msg.sender, action, subjectRef, reasonCommitment, breakGlass, uint64(block.timestamp));
    }

    function _requirePatient() private view {
        if (!wardRegistry.hasRole(msg.sender, WardRegistry.Role.Patient)) revert NotPatient(msg.sender);
    }

    /// @dev The caller must be an Approved Doctor or Nurse; returns which.
    function _requireClinician() private view returns (WardRegistry.Role role) {
        role = wardRegistry.approvedRole(msg.sender);
        if (role != WardRegistry.Role.Doctor && role != WardRegistry.Role.Nurse) revert CareChangeNotAllowed(msg.sender);
    }

    function _requireDoctor(address account) private view {
        if (wardRegistry.approvedRole(account) != WardRegistry.Role.Doctor) revert NotDoctor(account);
    }

    function _requireMember() private view returns (WardRegistry.Role role) {
        role = wardRegistry.approvedRole(msg.sender);
        if (role == WardRegistry.Role.None) revert NotMember(msg.sender);
    }
}
