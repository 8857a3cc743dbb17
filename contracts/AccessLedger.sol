// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {WardRegistry} from "./WardRegistry.sol";

/**
 * @title AccessLedger
 * @notice Patient consent (grants and revocations) and the audit trail of record accesses.
 * @dev Events-first: the audit trail lives in logs (cheap, append-only, indexed by patientRef);
 * consent is also kept in storage so contracts and clients can ask isGranted().
 * Patient and subject references are pseudonymous (salted/keyed hashes made off-chain); no PHI.
 * Consent is enforced by the core when it wraps record keys; this contract records it and the
 * accesses, and enforces who may write either.
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
    /// @notice The action code is not one of ACTION_READ..ACTION_AMEND.
    error InvalidAction(uint8 action);
    /// @notice Break-glass access is only for Approved Doctors and Nurses.
    error BreakGlassNotAllowed(address caller);
    /// @notice Break-glass access needs a non-zero reason commitment.
    error ReasonRequired();
    /// @notice The arrays of a batch call differ in length.
    error LengthMismatch();

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

    /// @notice The membership registry consulted for every call.
    WardRegistry public immutable wardRegistry;

    mapping(address patient => mapping(address grantee => mapping(bytes32 scope => bool))) private _consent;

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
     * @param action ACTION_READ (0), ACTION_EXPORT (1), ACTION_VERIFY (2) or ACTION_AMEND (3).
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

    function _audit(
        WardRegistry.Role role,
        bytes32 patientRef,
        bytes32 subjectRef,
        uint8 action,
        bytes32 reasonCommitment,
        bool breakGlass
    ) private {
        if (action > ACTION_AMEND) revert InvalidAction(action);
        if (breakGlass) {
            if (role != WardRegistry.Role.Doctor && role != WardRegistry.Role.Nurse) revert BreakGlassNotAllowed(msg.sender);
            if (reasonCommitment == bytes32(0)) revert ReasonRequired();
        }
        emit AccessAudited(patientRef, msg.sender, action, subjectRef, reasonCommitment, breakGlass, uint64(block.timestamp));
    }

    function _requirePatient() private view {
        if (!wardRegistry.hasRole(msg.sender, WardRegistry.Role.Patient)) revert NotPatient(msg.sender);
    }

    function _requireMember() private view returns (WardRegistry.Role role) {
        role = wardRegistry.approvedRole(msg.sender);
        if (role == WardRegistry.Role.None) revert NotMember(msg.sender);
    }
}
